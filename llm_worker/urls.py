from django.urls import path

app_name = "llm_worker"
urlpatterns: list = []
