"""One router per resource; :func:`ideapump.api.create_app` includes them all."""
