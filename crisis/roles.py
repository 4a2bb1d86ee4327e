"""The roles of PRODUCT.md as Django groups and the permissions each holds.

A signed-in user in no group is a Viewer (reads everything internal); staff use the admin site.
Data migrations call :func:`sync_roles` with the permissions that exist at their point in
history; tests that flush the database call it again with the current table.
"""

COMMS = "Comms"
MANAGERS = "Managers"
# The two roles that are no group: a signed-in user in none, and staff (the admin site).
VIEWER = "Viewer"
ADMIN = "Admin"

COMMS_PERMISSIONS = [
    "incidents.view_incident",
    "incidents.add_incident",
    "incidents.change_incident",
    "incidents.view_affectedparty",
    "incidents.add_affectedparty",
    "incidents.change_affectedparty",
    "incidents.view_postmortem",
    "incidents.add_postmortem",
    "incidents.change_postmortem",
    # Mentions: read them, bring them in (CSV import), link, unlink and dismiss them.
    "monitoring.view_mention",
    "monitoring.add_mention",
    "monitoring.change_mention",
    "responses.view_statement",
    "responses.add_statement",
    "responses.change_statement",
    "responses.view_actionitem",
    "responses.add_actionitem",
    "responses.change_actionitem",
    "responses.view_progressupdate",
    "responses.add_progressupdate",
    "responses.change_progressupdate",
    "responses.view_plantemplate",
    "team.view_callout",
    # Write and edit approved lines (a manager approves their wording).
    "lines.view_approvedline",
    "lines.add_approvedline",
    "lines.change_approvedline",
    # The sources the desk polls for mentions: kept by Comms and Managers.
    "sources.view_source",
    "sources.add_source",
    "sources.change_source",
    "sources.delete_source",
    # Write and edit variants of an approved statement for other audiences and languages.
    "audiences.view_audience",
    "audiences.view_variant",
    "audiences.add_variant",
    "audiences.change_variant",
    # Log journalists' inquiries, assign a spokesperson, word the answer, mark it answered or
    # declined (a manager approves an answer in new wording).
    "press.view_mediainquiry",
    "press.add_mediainquiry",
    "press.change_mediainquiry",
    # Log rumours and keep them: where seen, reach, risk, what is true, the response, and
    # whether the correction shows on the public page (once its statement is published).
    "rumours.view_rumour",
    "rumours.add_rumour",
    "rumours.change_rumour",
]
MANAGER_PERMISSIONS = COMMS_PERMISSIONS + [
    "incidents.cancel_incident",
    "incidents.close_incident",
    "incidents.manage_public_page",
    "responses.approve_statement",
    "responses.publish_statement",
    "responses.publish_progressupdate",
    # Call the team to any incident (an incident's lead may call to theirs: team.models).
    "team.add_callout",
    "lines.approve_approvedline",
    # Approve variants (by their audience's rule) and send them out.
    "audiences.approve_variant",
    "audiences.publish_variant",
    "press.approve_mediainquiry",
]

# Triage mentions (link, dismiss, declare from them) and import them from CSV files: Comms and
# above. Viewers read the inbox.
ACT_ON_MENTIONS = "monitoring.change_mention"

ROLE_PERMISSIONS = {COMMS: COMMS_PERMISSIONS, MANAGERS: MANAGER_PERMISSIONS}

# How the navigation bar names a person's role, the highest first, each by a permission only that
# role (and those above it) holds; no group of these: a Viewer.
ROLE_NAMES = [("Manager", "incidents.cancel_incident"), ("Comms", "incidents.add_incident")]


def role_name(user):
    """The role a person acts in: Admin, Manager, Comms or Viewer (one permission lookup, cached
    on the user)."""
    if user.is_superuser:
        return "Admin"
    for name, permission in ROLE_NAMES:
        if user.has_perm(permission):
            return name
    return "Viewer"


# Each group and the role it makes its members, the highest first (ROLE_NAMES by groups).
GROUP_ROLES = [(MANAGERS, "Manager"), (COMMS, "Comms")]


def role_name_from_groups(user):
    """:func:`role_name`'s answer read from the person's groups, for a list of people (their
    groups prefetched: no query per person). Groups hold the roles' permissions (the
    migrations and :func:`sync_roles`), so both agree (tests/crisis/test_roles.py)."""
    if user.is_superuser:
        return ADMIN
    names = {group.name for group in user.groups.all()}
    return next((role for group, role in GROUP_ROLES if group in names), VIEWER)


def sync_roles(apps, role_permissions):
    """Create the groups and give each exactly the permissions listed (adds, never removes)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def create_permissions_now(apps):
    """Permissions normally appear after all migrations; a data migration needs them earlier."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
