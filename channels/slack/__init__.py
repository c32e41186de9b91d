"""Slack: Events API, `/ticket` slash command and Block Kit buttons in; threaded replies and in-place updates out."""
from channels.slack.channel import SlackChannel

__all__ = ["SlackChannel"]
