"""Which databases several app servers may share (deploy.cluster.shared_database); the servers
themselves are started and checked in tests/e2e/test_cluster.py."""

from pathlib import Path

import pytest

from deploy.cluster import Cluster, ClusterError, shared_database


def test_postgresql_and_an_sqlite_file_are_shared_as_given():
    assert shared_database("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert (
        shared_database("sqlite:////srv/bureau/workspace.db")
        == "sqlite:////srv/bureau/workspace.db"
    )
    assert shared_database("") == ""  # the embedded file in DATA_DIR


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_is_refused(url):
    with pytest.raises(ClusterError, match="記憶體中的 SQLite"):
        shared_database(url)


def test_another_backend_or_a_malformed_url_is_refused():
    with pytest.raises(ClusterError, match="不支援的資料庫：mysql"):
        shared_database("mysql://root@localhost/test")
    with pytest.raises(ClusterError, match="格式不正確"):
        shared_database("not a url")


def test_the_embedded_default_is_the_file_in_the_servers_data_dir(tmp_path: Path):
    cluster = Cluster("", env={"DATA_DIR": str(tmp_path)})
    settings = cluster.settings()
    assert settings.url == f"sqlite:///{tmp_path / 'workspace.db'}"
    assert settings.demo_data  # as one server on the embedded file would: the demo database
    assert "DATABASE_URL" not in {k for k, v in cluster.server_env().items() if v}


def test_a_run_dir_that_cannot_be_made_is_a_clear_message(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cluster = Cluster("sqlite:///" + str(tmp_path / "w.db"), run_dir=blocker / "run", port=1)
    with pytest.raises(ClusterError, match="無法建立紀錄資料夾"):
        cluster.start()
