#!/bin/sh
# MinIO's root credentials become the S3 gateway's only key pair; every port but 9000 stays inside.
set -eu
export AWS_ACCESS_KEY_ID="${MINIO_ROOT_USER:?MINIO_ROOT_USER must be set}"
export AWS_SECRET_ACCESS_KEY="${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD must be set}"
mkdir -p /data
exec weed mini -dir=/data -ip=127.0.0.1 -ip.bind=0.0.0.0 -s3.port=9000 \
  -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false
