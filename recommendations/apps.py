from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _place_synced(sender, *, movie_ids, **kwargs) -> str:
    """A TMDb sync created or changed these movies: give the new ones a place in the active
    recommender from their features, at once (recommendations.cold_items)."""
    from .cold_items import cold_items_place

    return cold_items_place(movie_ids=movie_ids).line()


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from movies.signals import movies_synced

        movies_synced.connect(_place_synced, dispatch_uid="recommendations-cold-items")
