# Sourced by the benchmarks that run the portal as in production: outside Development the portal
# refuses to start without a certificate for its Data Protection key ring (README, "Keys at rest").
# key_ring_certificate DIR: writes DIR/key-ring.pfx (a throwaway self-signed RSA key) and sets
# KEY_RING_SETTINGS to the environment settings that point the portal at it.
key_ring_certificate() {
  local dir="$1"
  openssl req -x509 -newkey rsa:2048 -sha256 -days 30 -nodes -subj "/CN=PrivacyPortal benchmark key ring" \
    -keyout "$dir/key-ring.key" -out "$dir/key-ring.crt" >/dev/null 2>&1
  openssl pkcs12 -export -inkey "$dir/key-ring.key" -in "$dir/key-ring.crt" -out "$dir/key-ring.pfx" -passout pass:benchmark >/dev/null 2>&1
  KEY_RING_SETTINGS=(DataProtection__Certificate__Path="$dir/key-ring.pfx" DataProtection__Certificate__Password=benchmark)
}
