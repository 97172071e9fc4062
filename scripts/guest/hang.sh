#!/bin/bash
# Rig self-check: a job that never ends.
sleep infinity
