"""Background jobs for groups: none yet; meeting notices live in meetings/tasks.py."""
