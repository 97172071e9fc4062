#!/bin/bash
echo nop
