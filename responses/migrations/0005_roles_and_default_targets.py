"""Give Comms and Managers their permissions on action items, progress updates and plan
templates, and load the default response targets of PRODUCT.md."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

# Frozen here: later migrations add the permissions of later models.
ROLES = {
    "Comms": [
        "responses.view_actionitem",
        "responses.add_actionitem",
        "responses.change_actionitem",
        "responses.view_progressupdate",
        "responses.add_progressupdate",
        "responses.change_progressupdate",
        "responses.view_plantemplate",
    ],
}
ROLES["Managers"] = ROLES["Comms"] + ["responses.publish_progressupdate"]

# Minutes per severity: first acknowledgement, public update cadence. Copied, not imported, so
# that this migration keeps loading the values it was written with.
TARGETS = {1: (30, 60), 2: (60, 120), 3: (240, 480), 4: (1440, 1440)}


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)
    ResponseTarget = apps.get_model("responses", "ResponseTarget")
    for severity, (acknowledge, cadence) in TARGETS.items():
        ResponseTarget.objects.get_or_create(
            severity=severity,
            defaults={"acknowledgement_minutes": acknowledge, "update_cadence_minutes": cadence},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0004_action_plan_updates_templates_targets"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
