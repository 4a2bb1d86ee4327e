"""Comms write and edit variants; managers also approve (by each audience's rule) and publish
them. The usual audiences, each with its way out; admins add, rename and deactivate them."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

WRITE = ["audiences.view_variant", "audiences.add_variant", "audiences.change_variant"]
ROLES = {
    "Comms": [*WRITE, "audiences.view_audience"],
    "Managers": [
        *WRITE,
        "audiences.view_audience",
        "audiences.approve_variant",
        "audiences.publish_variant",
    ],
}

# (name, way out, who approves, order): what the public, the press, regulators and investors
# read is approved as the core is, at the chain's last stage; employees and partners by any
# manager who did not write it.
AUDIENCES = [
    ("Customers", "page", "last_stage", 10),
    ("Employees", "mail", "four_eyes", 20),
    ("Press", "press", "last_stage", 30),
    ("Regulators", "letter", "last_stage", 40),
    ("Partners", "letter", "four_eyes", 50),
    ("Investors", "press", "last_stage", 60),
]


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)
    Audience = apps.get_model("audiences", "Audience")
    for name, way_out, rule, order in AUDIENCES:
        Audience.objects.get_or_create(
            name=name, defaults={"way_out": way_out, "approval_rule": rule, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("audiences", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
