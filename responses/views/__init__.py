"""The pages of responses, one module per record: statement, plan (the action plan), update
(progress updates) and public (the audience's page)."""

# The site's 404 handler is named by this path in crisis.urls.
from responses.views.public import page_not_found

__all__ = ["page_not_found"]
