"""工作群消息: channels (企业微信/钉钉 robots, e-mail), the outbox, the sender and the daily reminders."""
