// The engine's timer queues: a min-heap (by T's operator>) with four children per node. A pop
// walks down one level per four-fold of entries, half the levels of a binary heap; once the heap
// outgrows the CPU caches each level is a cache miss, and the four children of a 16-byte entry
// share one or two cache lines.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace ka {

template <class T>
class QuadHeap {
public:
    QuadHeap() = default;
    explicit QuadHeap(std::vector<T> items) : v_(std::move(items)) {
        for (std::size_t i = v_.size() / 4 + 1; i-- > 0;) sift_down(i);
    }

    bool empty() const { return v_.empty(); }
    std::size_t size() const { return v_.size(); }
    const T& top() const { return v_.front(); }

    void push(const T& x) {
        v_.push_back(x);
        sift_up(v_.size() - 1);
    }

    void pop() {
        v_.front() = v_.back();
        v_.pop_back();
        if (!v_.empty()) sift_down(0);
    }

private:
    void sift_up(std::size_t i) {
        const T x = v_[i];
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!(v_[parent] > x)) break;
            v_[i] = v_[parent];
            i = parent;
        }
        v_[i] = x;
    }

    void sift_down(std::size_t i) {
        if (i >= v_.size()) return;
        const T x = v_[i];
        const std::size_t n = v_.size();
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) break;
            const std::size_t end = first + 4 < n ? first + 4 : n;
            std::size_t least = first;
            for (std::size_t c = first + 1; c < end; ++c)
                if (v_[least] > v_[c]) least = c;
            if (!(x > v_[least])) break;
            v_[i] = v_[least];
            i = least;
        }
        v_[i] = x;
    }

    std::vector<T> v_;
};

}  // namespace ka
