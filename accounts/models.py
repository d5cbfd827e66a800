"""The site's user: a person who signs up, or a MovieLens dataset user imported so that the
recommender, the persona and the admin treat both alike (dataset users cannot log in)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "O", _("Other")
    UNSPECIFIED = "X", _("Prefer not to say")


class Occupation(models.TextChoices):
    # The 21 occupations of MovieLens 100K (u.occupation), so dataset users and site users share
    # one feature space in the recommender.
    ADMINISTRATOR = "administrator", _("Administrator")
    ARTIST = "artist", _("Artist")
    DOCTOR = "doctor", _("Doctor")
    EDUCATOR = "educator", _("Educator")
    ENGINEER = "engineer", _("Engineer")
    ENTERTAINMENT = "entertainment", _("Entertainment")
    EXECUTIVE = "executive", _("Executive")
    HEALTHCARE = "healthcare", _("Healthcare")
    HOMEMAKER = "homemaker", _("Homemaker")
    LAWYER = "lawyer", _("Lawyer")
    LIBRARIAN = "librarian", _("Librarian")
    MARKETING = "marketing", _("Marketing")
    NONE = "none", _("None")
    OTHER = "other", _("Other")
    PROGRAMMER = "programmer", _("Programmer")
    RETIRED = "retired", _("Retired")
    SALESMAN = "salesman", _("Sales")
    SCIENTIST = "scientist", _("Scientist")
    STUDENT = "student", _("Student")
    TECHNICIAN = "technician", _("Technician")
    WRITER = "writer", _("Writer")


class Language(models.TextChoices):
    KOREAN = "ko", "한국어"
    ENGLISH = "en", "English"


class User(AbstractUser):
    age = models.PositiveSmallIntegerField(
        _("age"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.KOREAN
    )
    # Set for users imported from a dataset ("ml-100k", "ml-latest-small", ...): their username
    # is "<dataset>:<id>" and their password is unusable.
    dataset = models.CharField(_("dataset"), max_length=40, blank=True, db_index=True)
    dataset_user_id = models.PositiveIntegerField(_("dataset user id"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "dataset_user_id"],
                condition=models.Q(dataset_user_id__isnull=False),
                name="unique_dataset_user",
            ),
            models.CheckConstraint(
                condition=models.Q(age__isnull=True) | models.Q(age__gte=1, age__lte=120),
                name="user_age_range",
            ),
        ]

    @property
    def is_dataset_user(self) -> bool:
        return bool(self.dataset)
