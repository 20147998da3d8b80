"""``boneaxis serve``: a FastAPI app (JSON API + a self-contained page, no CDN, no database)."""
