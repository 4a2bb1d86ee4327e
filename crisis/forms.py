from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class _UsernameLengthChecked:
    """Refuses an over-long username by the field.

    Django's sign-in form sets the username's ``max_length`` after the field is built, so the
    length is never checked, and the sign-in attempt tracker then fails to store a username
    longer than its 255-character column (a server error on PostgreSQL).
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(_UsernameLengthChecked, AuthenticationForm):
    pass


class AdminLoginForm(_UsernameLengthChecked, AdminAuthenticationForm):
    pass
