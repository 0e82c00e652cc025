#!/bin/sh
echo "helper script from the action repository"
