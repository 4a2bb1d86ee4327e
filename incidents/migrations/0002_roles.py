"""Create the Comms and Managers groups with their permissions on incidents."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

# Frozen here: later migrations add the permissions of later models.
ROLES = {
    "Comms": [
        "incidents.view_incident",
        "incidents.add_incident",
        "incidents.change_incident",
        "incidents.view_affectedparty",
        "incidents.add_affectedparty",
        "incidents.change_affectedparty",
    ],
}
ROLES["Managers"] = ROLES["Comms"] + ["incidents.cancel_incident", "incidents.close_incident"]


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
