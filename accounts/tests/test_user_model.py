import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
@pytest.mark.parametrize("age", [0, 121, 200])
def test_age_outside_1_to_120_is_invalid(age):
    user = User(username="someone", age=age, gender="F", language="en")
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert "age" in excinfo.value.message_dict


@pytest.mark.django_db
def test_database_refuses_out_of_range_age_too():
    with pytest.raises(IntegrityError):
        User.objects.create(username="bad-age", age=0)


@pytest.mark.django_db
def test_unknown_gender_and_occupation_are_invalid():
    user = User(username="x", age=30, gender="Q", occupation="astronaut")
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert {"gender", "occupation"} <= set(excinfo.value.message_dict)


@pytest.mark.django_db
def test_dataset_user_ids_are_unique_per_dataset():
    User.objects.create(username="ml-100k:1", dataset="ml-100k", dataset_user_id=1)
    User.objects.create(username="ml-latest-small:1", dataset="ml-latest-small", dataset_user_id=1)
    with pytest.raises(IntegrityError):
        User.objects.create(username="dup", dataset="ml-100k", dataset_user_id=1)
