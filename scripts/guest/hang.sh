#!/bin/bash
# Rig self-check: a job that never ends (after saying it started).
echo "hang.sh: started"
sleep infinity
