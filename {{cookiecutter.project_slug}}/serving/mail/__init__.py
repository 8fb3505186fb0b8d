"""Mail: EMAIL_URL's provider, never on a page's time, and the admins' error reports."""
