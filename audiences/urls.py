from django.urls import path

from audiences import views

app_name = "audiences"

urlpatterns = [
    path("statements/<int:pk>/variants/new/", views.variant_create, name="create"),
    path("variants/<int:pk>/", views.variant_detail, name="detail"),
    path("variants/<int:pk>/edit/", views.variant_edit, name="edit"),
    path("variants/<int:pk>/approve/", views.variant_approve, name="approve"),
    path("variants/<int:pk>/publish/", views.variant_publish, name="publish"),
    path("variants/<int:pk>/withdraw/", views.variant_withdraw, name="withdraw"),
    path("variants/<int:pk>/history/", views.variant_history, name="history"),
    path("variants/<int:pk>/print/", views.variant_print, name="print"),
    path("variants/<int:pk>/markdown/", views.variant_markdown, name="markdown"),
]
