
app_name = "llm_worker"
urlpatterns: list = []
