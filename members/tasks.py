"""Background jobs for members: none yet; meeting notices live in meetings/tasks.py."""
