#!/usr/bin/env bash
# Installs (Debian package), starts and prepares a local PostgreSQL for the tests:
# role and database `modelwatch` (password `modelwatch`) on 127.0.0.1:5432. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    $SUDO pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep "^$version main" | grep -q online; then
    $SUDO pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p 5432

as_postgres() { $SUDO su postgres -c "$1"; }
if ! as_postgres "psql -tAc \"select 1 from pg_roles where rolname = 'modelwatch'\"" | grep -q 1; then
    as_postgres "psql -qc \"create role modelwatch login superuser password 'modelwatch'\""
fi
if ! as_postgres "psql -tAc \"select 1 from pg_database where datname = 'modelwatch'\"" | grep -q 1; then
    as_postgres "psql -qc \"create database modelwatch owner modelwatch\""
fi
echo "postgres: ready on 127.0.0.1:5432 (role/database modelwatch)"
