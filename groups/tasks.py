"""Background jobs for groups: none yet; notices are delivered by notices/tasks.py."""
