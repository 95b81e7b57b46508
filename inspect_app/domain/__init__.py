"""Pure rules of the model-post programme: stdlib only, no Flask, no SQLAlchemy (a test checks this)."""
