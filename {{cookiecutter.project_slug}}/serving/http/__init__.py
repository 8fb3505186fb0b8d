"""What serves HTTP."""
