from django.urls import path

from team import directory, views

app_name = "team"

urlpatterns = [
    path("team/contacts/", directory.contacts, name="contacts"),
    path("incidents/<reference:reference>/call/", views.call_team, name="call"),
    path("incidents/<reference:reference>/call/answers/<int:pk>/", views.answer, name="answer"),
]
