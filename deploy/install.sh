#!/usr/bin/env bash
# Installs, updates or removes the urzędomat on a Raspberry Pi OS (Bookworm) system, or into a directory.
#
#   deploy/install.sh [--root DIR] [--secrets-from DIR] [--no-build]      install (or repair): idempotent
#   deploy/install.sh --update [--root DIR] [--no-build]                  new program, same data; migrate, restart
#   deploy/install.sh --uninstall [--purge] [--root DIR]                  remove the program; --purge also the data
#
# Run it from a checkout where `npm ci` has been run. --root DIR installs into DIR (which must hold etc/passwd
# and etc/group: accounts are made there) and touches nothing of the running system: used by the tests.
# Every step checks before it changes, and says what it changed; a second run says "nothing to change".
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd)"
ROOT=/
MODE=install
PURGE=no
BUILD=yes
SECRETS_FROM=

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$2"; shift 2 ;;
    --root=*) ROOT="${1#--root=}"; shift ;;
    --update) MODE=update; shift ;;
    --uninstall) MODE=uninstall; shift ;;
    --purge) PURGE=yes; shift ;;
    --no-build) BUILD=no; shift ;;
    --secrets-from) SECRETS_FROM="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

ROOT="${ROOT%/}"
LIVE=no
[ -z "$ROOT" ] && LIVE=yes
if [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root (it creates accounts and sets owners)" >&2; exit 1; fi
if [ "$LIVE" = no ] && [ ! -f "$ROOT/etc/passwd" ]; then echo "install.sh: $ROOT/etc/passwd is missing: --root needs a system tree" >&2; exit 1; fi

APP=/opt/urzedomat
CHANGED=0
p() { printf '%s%s' "$ROOT" "$1"; }
say() { echo "install.sh: $*"; CHANGED=$((CHANGED + 1)); }
uid_of() { awk -F: -v n="$1" '$1 == n { print $3 }' "$ROOT/etc/passwd"; }
gid_of() { awk -F: -v n="$1" '$1 == n { print $3 }' "$ROOT/etc/group"; }
rootopt() { [ "$LIVE" = yes ] || printf -- '--root\n%s\n' "$ROOT"; }

# ---- accounts ----------------------------------------------------------------------------------------------

ensure_group() {
  [ -n "$(gid_of "$1")" ] && return 0
  mapfile -t ro < <(rootopt)
  groupadd "${ro[@]}" --system "$1"
  say "group $1 created"
}

member_of() { awk -F: -v g="$1" -v u="$2" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) f = 1 } END { exit !f }' "$ROOT/etc/group"; }

ensure_user() { # name home shell primary-group supplementary-groups...
  local name="$1" home="$2" shell="$3" group="$4"; shift 4
  mapfile -t ro < <(rootopt)
  if [ -z "$(uid_of "$name")" ]; then
    useradd "${ro[@]}" --system --gid "$group" --home-dir "$home" --no-create-home --shell "$shell" "$name" 2>/dev/null
    say "account $name created"
  fi
  for g in "$@"; do
    if ! member_of "$g" "$name"; then usermod "${ro[@]}" -a -G "$g" "$name"; say "$name added to group $g"; fi
  done
}

# ---- files -------------------------------------------------------------------------------------------------

# put SOURCE DEST MODE OWNER GROUP: the file, with exactly that content, mode and owner.
put() {
  local src="$1" dst; dst="$(p "$2")"
  local mode="$3" uid gid; uid="$(uid_of "$4")"; gid="$(gid_of "$5")"
  if [ ! -f "$dst" ] || ! cmp -s "$src" "$dst"; then install -D -m "$mode" "$src" "$dst"; say "wrote $2"; fi
  fix "$2" "$mode" "$uid" "$gid"
}

# dir PATH MODE OWNER GROUP
dir() {
  local d; d="$(p "$1")"
  if [ ! -d "$d" ]; then mkdir -p "$d"; say "created $1"; fi
  fix "$1" "$2" "$(uid_of "$3")" "$(gid_of "$4")"
}

fix() { # path mode uid gid
  local f; f="$(p "$1")"
  if [ "$(stat -c '%a' "$f")" != "${2#0}" ]; then chmod "$2" "$f"; say "mode $2 on $1"; fi
  if [ "$(stat -c '%u:%g' "$f")" != "$3:$4" ]; then chown "$3:$4" "$f"; say "owner of $1"; fi
}

link() { # target linkpath
  local l; l="$(p "$2")"
  if [ "$(readlink "$l" 2>/dev/null || true)" != "$1" ]; then mkdir -p "$(dirname "$l")"; ln -sfn "$1" "$l"; say "linked $2 -> $1"; fi
}

# The program: built in a staging tree, swapped in only if it differs from what is installed.
install_app() {
  if [ "$BUILD" = yes ]; then (cd "$SRC" && npm run build >/dev/null); fi
  [ -f "$SRC/dist/src/cli.js" ] || { echo "install.sh: $SRC/dist is missing: run npm ci (or npm run build) first" >&2; exit 1; }
  # Staged outside the target, so an unchanged program leaves the target untouched (not even a directory's time).
  local stage; stage="$(mktemp -d)/urzedomat"
  mkdir -p "$stage/src/kiosk/page" "$stage/node_modules" "$stage/deploy"
  cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/bin" "$SRC/dist" "$SRC/migrations" "$SRC/README.md" "$stage/"
  # The office service is the city's server's program, not the locker's: its code stays off the Pi too.
  rm -rf "$stage/dist/office"
  cp -a "$SRC"/src/kiosk/page/*.html "$SRC"/src/kiosk/page/*.css "$stage/src/kiosk/page/"
  cp -a "$SRC/deploy/config.example.json" "$stage/deploy/"
  # The admin socket's peer-credentials addon (native/peer-credentials), which `npm ci` builds with node-gyp.
  local addon=native/peer-credentials/build/Release/peer_credentials.node
  [ -f "$SRC/$addon" ] || { echo "install.sh: $SRC/$addon is missing: run npm ci (it builds the addon) first" >&2; exit 1; }
  mkdir -p "$stage/$(dirname "$addon")"; cp -a "$SRC/$addon" "$stage/$addon"
  # Only the locker's production dependencies, as npm resolved and built them in the checkout (native modules
  # included). The office service's are optionalDependencies, left out here: the Pi never runs the office.
  (cd "$SRC" && npm ls --omit=dev --omit=optional --all --parseable 2>/dev/null) | while read -r dep; do
    case "$dep" in "$SRC/node_modules/"*) rel="${dep#"$SRC/"}"; mkdir -p "$stage/$(dirname "$rel")"; [ -e "$stage/$rel" ] || cp -a "$dep" "$stage/$rel" ;; esac
  done
  chown -R 0:0 "$stage"
  chmod -R u+rwX,go+rX,go-w "$stage"
  local app; app="$(p "$APP")"
  if [ -d "$app" ] && diff -rq --no-dereference "$stage" "$app" >/dev/null 2>&1; then
    :
  else
    # Copied beside the old one, then swapped: a power cut leaves either the old program or the new one.
    rm -rf "$app.new" "$app.old"; mkdir -p "$(dirname "$app")"; cp -a "$stage" "$app.new"
    if [ -d "$app" ]; then mv "$app" "$app.old"; fi
    mv "$app.new" "$app"; rm -rf "$app.old"
    say "installed the program in $APP"
  fi
  rm -rf "$(dirname "$stage")"
  fix "$APP" 0755 0 0
  link "$APP/bin/urzedomat.js" /usr/bin/urzedomat
}

install_config() {
  # The technicians' group may enter the directory to read the key names (`technicians`, 0644); the config and
  # the secrets stay 0600 for the daemon's account alone. The daemon's account is in that group too.
  dir /etc/urzedomat 0750 root urzedomat-tech
  if [ ! -f "$(p /etc/urzedomat/urzedomat.json)" ]; then put "$SRC/deploy/config.example.json" /etc/urzedomat/urzedomat.json 0600 urzedomat urzedomat; fi
  fix /etc/urzedomat/urzedomat.json 0600 "$(uid_of urzedomat)" "$(gid_of urzedomat)"
  local missing=()
  for f in office.token office-ed25519.pub.pem code.key; do
    if [ -n "$SECRETS_FROM" ] && [ -f "$SECRETS_FROM/$f" ]; then put "$SECRETS_FROM/$f" "/etc/urzedomat/$f" 0600 urzedomat urzedomat
    elif [ -f "$(p "/etc/urzedomat/$f")" ]; then fix "/etc/urzedomat/$f" 0600 "$(uid_of urzedomat)" "$(gid_of urzedomat)"
    else missing+=("$f"); fi
  done
  if [ ! -f "$(p /etc/urzedomat/technicians)" ]; then put "$SRC/deploy/ssh/technicians.example" /etc/urzedomat/technicians 0644 root root; fi
  fix /etc/urzedomat/technicians 0644 0 0
  if [ ${#missing[@]} -gt 0 ]; then echo "install.sh: next: put the office's ${missing[*]} in /etc/urzedomat (or rerun with --secrets-from DIR)"; fi
}

install_system() {
  put "$SRC/deploy/systemd/urzedomat.service" /etc/systemd/system/urzedomat.service 0644 root root
  put "$SRC/deploy/systemd/urzedomat-kiosk.service" /etc/systemd/system/urzedomat-kiosk.service 0644 root root
  put "$SRC/deploy/systemd/journald-urzedomat.conf" /etc/systemd/journald.conf.d/urzedomat.conf 0644 root root
  put "$SRC/deploy/udev/99-urzedomat-rs485.rules" /etc/udev/rules.d/99-urzedomat-rs485.rules 0644 root root
  put "$SRC/deploy/ssh/urzedomat-sshd.conf" /etc/ssh/sshd_config.d/urzedomat.conf 0644 root root
  dir /var/lib/urzedomat 0750 urzedomat urzedomat
  dir /var/lib/urzedomat-tech 0755 root root
  dir /var/lib/urzedomat-tech/.ssh 0755 root root
  dir /var/log/journal 2755 root root
  # What `systemctl enable` does, written directly so it works the same into a directory.
  link /etc/systemd/system/urzedomat.service /etc/systemd/system/multi-user.target.wants/urzedomat.service
  link /etc/systemd/system/urzedomat-kiosk.service /etc/systemd/system/graphical.target.wants/urzedomat-kiosk.service
}

reload_live() {
  [ "$LIVE" = yes ] || return 0
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  command -v udevadm >/dev/null && udevadm control --reload || true
}

case "$MODE" in
  install|update)
    for g in urzedomat urzedomat-tech urzedomat-kiosk dialout gpio video input render; do ensure_group "$g"; done
    ensure_user urzedomat /var/lib/urzedomat /usr/sbin/nologin urzedomat dialout gpio urzedomat-tech
    ensure_user urzedomat-tech /var/lib/urzedomat-tech /bin/sh urzedomat-tech
    ensure_user urzedomat-kiosk /var/lib/urzedomat-kiosk /bin/bash urzedomat-kiosk video input render
    # sshd refuses a locked account; '*' means no password can ever match, and keys still work.
    if awk -F: '$1 == "urzedomat-tech" && $2 != "*" { f = 1 } END { exit !f }' "$ROOT/etc/shadow" 2>/dev/null; then
      mapfile -t ro < <(rootopt); usermod "${ro[@]}" -p '*' urzedomat-tech; say "urzedomat-tech: key login only"
    fi
    install_app
    install_config
    install_system
    reload_live
    if [ "$MODE" = update ] && [ "$LIVE" = yes ]; then
      runuser -u urzedomat -- /usr/bin/urzedomat migrate --config /etc/urzedomat/urzedomat.json
      systemctl restart urzedomat.service
      say "migrated and restarted"
    fi
    ;;
  uninstall)
    for f in /etc/systemd/system/multi-user.target.wants/urzedomat.service /etc/systemd/system/graphical.target.wants/urzedomat-kiosk.service \
             /etc/systemd/system/urzedomat.service /etc/systemd/system/urzedomat-kiosk.service /etc/systemd/journald.conf.d/urzedomat.conf \
             /etc/udev/rules.d/99-urzedomat-rs485.rules /etc/ssh/sshd_config.d/urzedomat.conf /usr/bin/urzedomat; do
      if [ -e "$(p "$f")" ] || [ -L "$(p "$f")" ]; then rm -f "$(p "$f")"; say "removed $f"; fi
    done
    if [ -d "$(p "$APP")" ]; then rm -rf "$(p "$APP")"; say "removed $APP"; fi
    if [ "$PURGE" = yes ]; then
      for d in /etc/urzedomat /var/lib/urzedomat /var/lib/urzedomat-tech; do
        if [ -d "$(p "$d")" ]; then rm -rf "$(p "$d")"; say "removed $d (--purge)"; fi
      done
    else
      echo "install.sh: kept /etc/urzedomat and /var/lib/urzedomat (the config, secrets and data); --purge removes them"
    fi
    reload_live
    ;;
esac

[ "$CHANGED" -eq 0 ] && echo "install.sh: nothing to change"
exit 0
