from __future__ import annotations

from django.urls import path

from . import chat_views, views

app_name = "recommendations"
urlpatterns = [
    path("", views.home, name="home"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/poll/", views.list_poll, name="list_poll"),
    path("lists/<int:pk>/more/", views.list_more, name="list_more"),
    path("items/<int:pk>/feedback/", views.item_feedback, name="item_feedback"),
    path("history/", views.history, name="history"),
    path("chat/", chat_views.chat, name="chat"),
    path("picks/done/", chat_views.picks_done, name="picks_done"),
]
