from __future__ import annotations

from django.urls import path

from . import views

app_name = "movies"
urlpatterns = [
    path("picks/", views.picks, name="picks"),
    path("search/", views.search, name="search"),
    path("picks/add/", views.pick_add, name="pick_add"),
    path("picks/<int:movie_id>/remove/", views.pick_remove, name="pick_remove"),
]
