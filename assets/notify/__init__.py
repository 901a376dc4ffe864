"""Notifications: one message per incident (a failed run, a stale feed, an outage…) through
ntfy or e-mail, a reminder while it lasts, one when it clears; quiet hours; retried delivery."""
