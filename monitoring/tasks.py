"""Background work of the incidents app, run by `manage.py db_worker` (django-tasks)."""

from django_tasks import task

from monitoring import imports
from monitoring.models.mention_import import MentionImport


@task()
def import_mentions(import_id):
    """Import the queued CSV file ``import_id`` (see monitoring.imports.run)."""
    mention_import = MentionImport.objects.filter(pk=import_id).first()
    if mention_import is None or mention_import.status != MentionImport.Status.QUEUED:
        return None  # gone, or already run by another worker
    imports.run(mention_import)
    return import_id
