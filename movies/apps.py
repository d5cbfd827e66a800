from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_titles(sender, **kwargs) -> None:
    from .selectors import TITLE_INDEX

    TITLE_INDEX.forget()


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = _("Movie catalogue")

    def ready(self) -> None:
        from .models import Movie, MovieTranslation

        post_save.connect(_forget_titles, sender=Movie, dispatch_uid="movies-title-index")
        post_delete.connect(_forget_titles, sender=Movie, dispatch_uid="movies-title-index-del")
        # Localized titles are searched too ("기생충" finds Parasite).
        for signal, uid in ((post_save, "tr"), (post_delete, "tr-del")):
            signal.connect(_forget_titles, sender=MovieTranslation, dispatch_uid=f"movies-{uid}")
