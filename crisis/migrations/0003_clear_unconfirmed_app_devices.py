from django.db import migrations


def clear_unconfirmed_app_devices(apps, schema_editor):
    """Opening the two-factor set-up page used to store an unconfirmed authenticator device for
    whoever opened it; the page now stores nothing until a code confirms the app, so the ones
    left behind by visits that never confirmed are removed. A confirmed device is never
    touched."""
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    TOTPDevice.objects.filter(confirmed=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crisis", "0002_security_events"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(clear_unconfirmed_app_devices, migrations.RunPython.noop),
    ]
