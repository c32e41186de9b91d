"""The after-sales domain, free of frameworks: tickets, people and their rules."""
