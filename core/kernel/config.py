"""Settings read from the environment: where the database lives and whether demo mode is on."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """One place for configuration; every field can be set as an environment variable."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    # Empty means the embedded SQLite file under data_dir (demo mode).
    database_url: str = ""
    data_dir: Path = ROOT / "data"
    # Load the demo data into an empty database on start; by default only on the embedded file.
    load_demo_data: bool | None = None
    timezone: str = "Asia/Taipei"
    # Signs the sign-in cookie; .streamlit/secrets.toml [auth] cookie_key wins over this.
    workspace_cookie_key: str = ""
    # How long a sign-in lasts before the password is asked again.
    session_hours: float = 10.0
    # Which claim of the city directory's id_token names a directory account linked to a
    # workspace account (User.directory_subject): "email" by default, "sub" for the strictest
    # (never reassigned by the provider; an e-mail address can pass to someone else).
    directory_claim: str = "email"
    # 公務員廉政倫理規範 (localities differ, so these are settings; NT$ and calendar days):
    # a gift from a party with interests above this value, not 公務禮儀, must be reported;
    gift_interest_limit: int = 500
    # any gift above the 正常社交禮俗標準 (per occasion) must be reported;
    gift_social_limit: int = 3000
    # and so is a gift that takes the year's total from one source to one official above this;
    gift_social_year_limit: int = 10000
    # within this many calendar days after the day it was received (the day itself not counted).
    gift_report_days: int = 3
    # Fleet: a trip's km must be within [0, trip_km_max]; the VIP-van loan charge is
    # km × fuel_price ÷ the vehicle's km per litre + tolls + parking + cleaning (NT$ per litre).
    trip_km_max: float = 800.0
    fuel_price: float = 30.0
    # The daily digest (python -m core.notify), sent through the bureau's SMTP relay. Read as
    # text and checked by core.notify.smtp when the command runs (a zh-TW message naming what
    # is missing or wrong), not here: a mistyped mail setting must not keep the pages from
    # starting.
    smtp_host: str = ""
    smtp_port: str = ""  # empty: the usual port of smtp_security (587, 465 or 25)
    smtp_security: str = "starttls"  # starttls, ssl (SMTPS) or none (a relay on the intranet)
    smtp_username: str = ""  # empty: the relay takes mail without signing in
    smtp_password: str = ""
    smtp_sender: str = ""  # From: of the digest, e.g. 行國處業務工作台 <workspace@kcg.gov.tw>
    smtp_timeout: str = "30"  # seconds per connection and command
    # The workspace's address as staff open it (https://workspace.kcg.gov.tw, with any base
    # path): the digest's links are this + the record's page and query.
    app_url: str = ""

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "workspace.db"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def demo_data(self) -> bool:
        return self.is_embedded if self.load_demo_data is None else self.load_demo_data

    @property
    def is_embedded(self) -> bool:
        """True on the embedded SQLite default: the demo database."""
        return not self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
