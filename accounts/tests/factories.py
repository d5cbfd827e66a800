import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    age = 30
    gender = "F"
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
