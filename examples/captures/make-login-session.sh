#!/usr/bin/env bash
# Writes a CTS capture of one device session (login, connect, heartbeat, state report, control) to stdout,
# built from the spec's recipe with the OpenSSL command line, independently of hilfarm's own codec:
#   data = Base64(AES-128-CBC(body)), key/IV = PIN[0..16]/PIN[16..32] for 1002/1003, sessionKey/sessionKey after.
# hilfarm's tests run it and decode its output with `hilfarm frame decode`.
set -euo pipefail

PIN="${PIN:-A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6}"
SESSION_KEY="${SESSION_KEY:-abcdef0123456789}"
TOKEN="${TOKEN:-qwertyuiop123456}"
DEVICE_ID="${DEVICE_ID:-0000111122223333aaaabbbb}"

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
seal() { # seal <key> <iv> <json>
  printf '%s' "$3" | openssl enc -aes-128-cbc -K "$(hex "$1")" -iv "$(hex "$2")" | base64 -w0
}
pin_seal() { seal "${PIN:0:16}" "${PIN:16:16}" "$1"; }
session_seal() { seal "$SESSION_KEY" "$SESSION_KEY" "$1"; }

echo "# device $DEVICE_ID: login, connect, heartbeat, state report, control (made by make-login-session.sh)"
printf 'CTS{"code":1002,"deviceId":"%s","data":"%s"}\n' "$DEVICE_ID" \
  "$(pin_seal "{\"sequence\":\"12345\",\"deviceId\":\"$DEVICE_ID\",\"version\":\"1.0.0.1\",\"time\":1361542433}")"
printf 'CTS{"code":1003,"data":"%s"}\n' \
  "$(pin_seal "{\"result\":0,\"sequence\":\"12345\",\"sessionKey\":\"$SESSION_KEY\",\"tcpHost\":\"127.0.0.1:8701\",\"udpHost\":\"127.0.0.1:8702\",\"token\":\"$TOKEN\",\"time\":1361542433}")"
printf 'CTS{"code":1004,"token":"%s","data":"%s"}\n' "$TOKEN" \
  "$(session_seal "{\"sequence\":\"40000\",\"token\":\"$TOKEN\",\"devVersion\":\"1.0.0.1\",\"model\":\"CT-PLUG-01\",\"time\":1361542434}")"
printf 'CTS{"code":1005,"data":"%s"}\n' \
  "$(session_seal '{"result":0,"sequence":"40000","heartBeat":30,"authInterval":600,"time":1361542434}')"
printf 'CTS{"code":2006,"token":"%s","data":"%s"}\n' "$TOKEN" \
  "$(session_seal "{\"sequence\":\"40001\",\"deviceId\":\"$DEVICE_ID\",\"statusSerials\":[{\"serialId\":\"0\",\"statusSerial\":[{\"statusName\":\"POWER\",\"curStatusValue\":\"0\"}]}],\"time\":1361542434}")"
printf 'CTS{"code":2007,"data":"%s"}\n' \
  "$(session_seal "{\"result\":0,\"sequence\":\"40001\",\"deviceId\":\"$DEVICE_ID\",\"time\":1361542434}")"
printf 'CTS{"code":1000,"token":"%s","data":"%s"}\n' "$TOKEN" \
  "$(session_seal "{\"sequence\":\"40002\",\"token\":\"$TOKEN\",\"time\":1361542464}")"
printf 'CTS{"code":1001,"data":"%s"}\n' \
  "$(session_seal '{"result":0,"sequence":"40002","time":1361542464}')"
printf 'CTS{"code":2005,"data":"%s"}\n' \
  "$(session_seal "{\"sequence\":\"900\",\"deviceId\":\"$DEVICE_ID\",\"serialId\":\"0\",\"cmd\":[{\"cmdName\":\"SET_POWER\",\"cmdParam\":\"1\"}],\"time\":1361542470}")"
printf 'CTS{"code":2004,"token":"%s","data":"%s"}\n' "$TOKEN" \
  "$(session_seal "{\"result\":0,\"sequence\":\"900\",\"dscp\":\"操作成功\",\"deviceId\":\"$DEVICE_ID\",\"time\":1361542470}")"
