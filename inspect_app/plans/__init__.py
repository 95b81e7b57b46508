"""检查计划: the year's plan, and the daily run (``flask run-plans``) that makes and opens its rounds."""
