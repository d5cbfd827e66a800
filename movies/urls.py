from django.urls import path

app_name = "movies"
urlpatterns: list = []
