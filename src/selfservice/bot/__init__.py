"""The Telegram channel: the same conversation as the widget, in a chat with a bot."""
