import pytest

from interconnect import credentials, simulate
from interconnect.client import InProcessTransport, OperatorClient
from tests.applications.factories import make_applicant

SECRETS = {
    "operator_secret": "OpSecret12345678",
    "sig_secret": "SigSecret1234567",
    "data_secret": "DataSecret123456",
    "data_secret_iv": "DataSecretIV1234",
}


@pytest.fixture
def operator(db):
    return make_applicant()


@pytest.fixture
def platform(operator):
    return credentials.activate(operator, source="TEST", **SECRETS)


@pytest.fixture
def client_for():
    def build(platform, secrets=None):
        return OperatorClient(platform.operator_id, secrets or SECRETS, InProcessTransport())

    return build


@pytest.fixture
def operator_client(platform, client_for):
    return client_for(platform)


@pytest.fixture
def pushed(platform, operator_client):
    """Two stations with equipment and connectors, as the operator pushes them."""
    area = platform.applicant.region.code
    infos = [simulate.station_info(platform, n, area) for n in (1, 2)]
    for info in infos:
        ret, msg, _ = operator_client.call("notification_stationInfo", {"StationInfo": info})
        assert (ret, msg) == (0, "")
    return infos
