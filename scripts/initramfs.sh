#!/bin/bash
# Make (or reuse) the tiny busybox initramfs that loads the 9p/virtio
# drivers a kernel needs, mounts the host root read-only over 9p and
# switch_roots into it. Prints the image path.
#   scripts/initramfs.sh debug|stock
set -euo pipefail
. "$(dirname "$0")/common.sh"

kind=${1:?usage: initramfs.sh debug|stock}
mods=()
if [ "$kind" = stock ]; then
	kver=$(stock_kver)
	# insmod lines in dependency order, duplicates removed.
	mapfile -t mods < <(modprobe -S "$kver" -a --show-depends \
		virtio_pci 9pnet_virtio 9p | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
fi
key=$(cat "$0" "${mods[@]}" /bin/busybox 2>/dev/null | sha256sum | cut -c1-12)
img="$ESPAH_CACHE/initramfs-$kind-$key.cpio.gz"
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,mods}
cp /bin/busybox "$tmp/bin/"
for m in "${mods[@]}"; do
	cp "$m" "$tmp/mods/"
	basename "$m" >> "$tmp/mods/order"
done
touch "$tmp/mods/order"
cat > "$tmp/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /mods/order); do
	insmod /mods/$m || echo "initramfs: insmod $m failed"
done
init=
for w in $(cat /proc/cmdline); do
	case "$w" in espah.init=*) init=${w#espah.init=} ;; esac
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /newroot; then
	echo "initramfs: cannot mount host root"
	echo b > /proc/sysrq-trigger
fi
umount /proc /sys
mount --move /dev /newroot/dev 2>/dev/null || umount /dev
exec switch_root /newroot "$init"
INIT
chmod +x "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$img.tmp"
mv "$img.tmp" "$img"
echo "$img"
