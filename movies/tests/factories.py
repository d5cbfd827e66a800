import datetime as dt

import factory

from accounts.tests.factories import UserFactory
from movies.models import Credit, Genre, Keyword, Movie, Person, Rating


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Genre {n}")


class KeywordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Keyword
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"keyword {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Person {n}")


class MovieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movie

    title = factory.Sequence(lambda n: f"Movie {n}")
    year = 1999
    overview = "A story."
    runtime = 100
    num_ratings = 0


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    movie = factory.SubFactory(MovieFactory)
    person = factory.SubFactory(PersonFactory)
    role = Credit.Role.CAST
    order = 0


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    user = factory.SubFactory(UserFactory)
    movie = factory.SubFactory(MovieFactory)
    rating = 4.0
    timestamp = factory.Sequence(
        lambda n: dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
    )
    source = Rating.Source.PICK
