"""The blend kind was called "hybrid", like the LightFM member inside it: it is "blend" now.

Stored rows follow, so the admin's "train a new version of the same kind" trains a blend and
the lists say which engine proposed a movie with the new name. Artifacts on disk are not
touched: `Recommender.load` reads format 1 manifests with the old names (their folder keeps
its path, e.g. `hybrid/12`)."""

from django.db import migrations

RENAMED = {"hybrid": "blend"}


def forwards(apps, schema_editor):
    rename(apps, RENAMED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in RENAMED.items()})


def rename(apps, names: dict[str, str]) -> None:
    ModelVersion = apps.get_model("recommendations", "ModelVersion")
    RecommendationItem = apps.get_model("recommendations", "RecommendationItem")
    for old, new in names.items():
        ModelVersion.objects.filter(kind=old).update(kind=new)
        RecommendationItem.objects.filter(engine=old).update(engine=new)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0003_verbose_names")]

    operations = [migrations.RunPython(forwards, backwards)]
