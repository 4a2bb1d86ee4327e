"""Give the Comms and Managers groups their permissions on statements and the public page."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

# Frozen here: later migrations add the permissions of later models.
ROLES = {
    "Comms": [
        "responses.view_statement",
        "responses.add_statement",
        "responses.change_statement",
    ],
}
ROLES["Managers"] = ROLES["Comms"] + [
    "incidents.manage_public_page",
    "responses.approve_statement",
    "responses.publish_statement",
]


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0001_initial"),
        ("incidents", "0003_public_page"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
