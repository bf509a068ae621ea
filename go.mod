module github.com/magpie-sns/magpie

go 1.26
