"""Encryption at rest of applicants' secrets (cms.crypto).

The ciphertext is read back with raw SQL, so the test sees what a database dump or a
DBA would see, not what the model layer makes of it.
"""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template import Context, Template
from django.test import override_settings

from accounts.models import Applicant
from applications.forms import detail_form, save_detail
from applications.models import Interconnection
from catalogue.models import ApplicantType, ApplicationKind
from cms.crypto import Secret, decrypt, encrypt, mask
from tests.applications.factories import (
    ensure_reference_data,
    make_applicant,
    make_application,
)

pytestmark = pytest.mark.django_db

SECRETS = {
    "access_key": "AK-4f1c9e2d7b6a5938",
    "signing_key": "SK-a8e3b1c2d4",
    "message_key": "MK-1234567890abcdef",
    "message_iv": "IV-fedcba0987654321",
}
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def form_data(**overrides):
    data = {
        "platform_operator": "信阳豫充新能源有限公司",
        "builder": "河南电科信息技术有限公司",
        "builder_address": "郑州市金水区花园路 1 号",
        "liaison": "周敏",
        "engineer": "吴昊",
        "engineer_phone": "13600001234",
        "platform_name": "豫充通",
        "scope": Interconnection.Scope.BASIC,
        "station_count": "0",
        "pile_count": "0",
        **SECRETS,
    }
    data.update(overrides)
    return data


def new_interconnection() -> Interconnection:
    ensure_reference_data()
    application = make_application(make_applicant(), ApplicationKind.INTERCONNECTION)
    obj, form = save_detail(application, form_data())
    assert obj is not None, form.errors
    return Interconnection.objects.get(pk=obj.pk)


def raw_row(model, pk, *columns) -> dict:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} "
            f"WHERE {quote('id')} = %s",
            [pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_secrets_are_ciphertext_in_the_database_and_decrypt_back():
    obj = new_interconnection()
    stored = raw_row(Interconnection, obj.pk, *SECRETS, "platform_name")
    assert stored["platform_name"] == "豫充通"  # ordinary fields stay readable
    for name, plaintext in SECRETS.items():
        assert plaintext not in stored[name]
        assert stored[name].startswith("gAAAA")  # a Fernet token
        value = getattr(obj, name)
        assert isinstance(value, Secret)
        assert value.plaintext == plaintext
        assert decrypt(stored[name]) == plaintext
    # The same plaintext encrypts differently each time (random IV).
    assert encrypt("same") != encrypt("same")


def test_a_secret_never_prints_its_plaintext(caplog):
    obj = new_interconnection()
    value = obj.access_key
    plaintext = SECRETS["access_key"]
    shown = [
        str(value),
        repr(value),
        format(value),
        f"{value}",
        f"{value:>30}",
        "%s" % value,  # noqa: UP031
        "{}".format(value),  # noqa: UP032
        str([value]),
        Template("{{ v }}").render(Context({"v": value})),
        Template("{{ v|upper }}").render(Context({"v": value})),
    ]
    with caplog.at_level(logging.INFO):
        logging.getLogger("tests.crypto").info("key is %s", value)
    shown.append(caplog.text)
    for text in shown:
        assert plaintext not in text, text
    assert str(value) == value.masked == "AK********38"
    assert repr(value) == "Secret('***')"
    assert value.plaintext == plaintext
    assert value == plaintext  # comparisons still work for code that needs them


def test_mask_shows_only_the_ends():
    assert mask("") == ""
    assert mask("abcd") == "********"
    assert mask("abcde") == "********"
    assert mask("A" * 40) == "AA" + "*" * 8 + "AA"


def test_the_form_keeps_stored_secrets_when_left_blank():
    obj = new_interconnection()
    application = obj.application
    form = detail_form(application)
    assert form.fields["access_key"].help_text == "已保存（AK********38）；留空则保持不变。"
    assert SECRETS["access_key"] not in form.as_div()

    saved, form = save_detail(
        application, form_data(access_key="", signing_key="", message_key="NEW-MK-000111")
    )
    assert saved is not None, form.errors
    obj = Interconnection.objects.get(pk=obj.pk)
    assert obj.access_key.plaintext == SECRETS["access_key"]
    assert obj.signing_key.plaintext == SECRETS["signing_key"]
    assert obj.message_key.plaintext == "NEW-MK-000111"


def test_resident_id_numbers_are_encrypted_too():
    ensure_reference_data()
    resident = make_applicant(ApplicantType.RESIDENT)
    number = Applicant.objects.get(pk=resident.pk).id_number.plaintext
    assert number == resident.id_number.plaintext and len(number) == 18
    stored = raw_row(Applicant, resident.pk, "id_number")["id_number"]
    assert number not in stored and stored.startswith("gAAAA")


def test_key_rotation_reads_old_rows_and_writes_with_the_new_key():
    with override_settings(PORTAL_FIELD_KEYS=[OLD_KEY]):
        obj = new_interconnection()
    with override_settings(PORTAL_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        obj = Interconnection.objects.get(pk=obj.pk)
        assert obj.access_key.plaintext == SECRETS["access_key"]
        obj.save()  # re-encrypts every secret with the newest key
    with override_settings(PORTAL_FIELD_KEYS=[NEW_KEY]):
        obj = Interconnection.objects.get(pk=obj.pk)
        assert obj.signing_key.plaintext == SECRETS["signing_key"]
    with override_settings(PORTAL_FIELD_KEYS=[OLD_KEY]), pytest.raises(ImproperlyConfigured):
        Interconnection.objects.get(pk=obj.pk)


def test_a_wrong_key_is_a_configuration_error_not_garbage():
    obj = new_interconnection()
    with override_settings(PORTAL_FIELD_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(ImproperlyConfigured, match="PORTAL_FIELD_KEYS"):
            Interconnection.objects.get(pk=obj.pk)
    # Without keys outside production, the key derived from SECRET_KEY still reads it.
    assert Interconnection.objects.get(pk=obj.pk).access_key.plaintext == SECRETS["access_key"]


def test_production_refuses_to_run_without_keys():
    with override_settings(PORTAL_FIELD_KEYS=[], PORTAL_REQUIRE_FIELD_KEYS=True):
        with pytest.raises(ImproperlyConfigured, match="must be set"):
            encrypt("x")


def test_dumpdata_keeps_secrets_encrypted_and_loaddata_restores_them():
    from django.core import serializers

    obj = new_interconnection()
    dump = serializers.serialize("json", Interconnection.objects.filter(pk=obj.pk))
    for plaintext in SECRETS.values():
        assert plaintext not in dump
    assert "********" not in dump  # the masked text would lose the value on loaddata

    Interconnection.objects.filter(pk=obj.pk).update(access_key="", signing_key="")
    for restored in serializers.deserialize("json", dump):
        restored.save()
    obj = Interconnection.objects.get(pk=obj.pk)
    assert {name: getattr(obj, name).plaintext for name in SECRETS} == SECRETS
    # A value that merely looks like a token stays what the applicant typed.
    obj.access_key = "gAAAAA-not-a-token"
    obj.save()
    assert Interconnection.objects.get(pk=obj.pk).access_key.plaintext == "gAAAAA-not-a-token"
