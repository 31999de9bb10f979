#!/bin/bash
# Healthy once the S3 gateway answers HTTP on port 9000 (any status: the request is unsigned).
exec 3<>/dev/tcp/127.0.0.1/9000 || exit 1
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 && [[ "$status" == HTTP/* ]]
